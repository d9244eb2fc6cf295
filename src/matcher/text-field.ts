// One text field of a listing, as the matcher reads it.
export interface TextField {
  /** As reported in reasons: `title`, `description`, `brand`, `attributes.<key>`. */
  name: string;
  /** Which rule field it belongs to (FIELD_BITS). */
  bit: number;
  text: string;
}
