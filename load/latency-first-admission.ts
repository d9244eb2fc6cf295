// The admission settings the README offers for callers who put accepted latency
// first (GATE_ADMISSION_*): the fault runs' second overload gate and a setting of
// load:overload-bounds.
export const LATENCY_FIRST_ADMISSION = {
  GATE_ADMISSION_TARGET_MS: '3',
  GATE_ADMISSION_LOOP_DELAY_MS: '1',
} as const;
