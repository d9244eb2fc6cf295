// A synthetic photo for the image-hash tests: a coloured background and seven
// shapes placed by a seeded generator, as SVG (sharp renders it).
export function scene(seed: number): Buffer {
  let s = seed;
  const rand = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
  const shapes = Array.from({ length: 7 }, () => {
    const colour = `rgb(${Math.floor(rand() * 255)},${Math.floor(rand() * 255)},${Math.floor(rand() * 255)})`;
    return rand() < 0.5
      ? `<circle cx="${rand() * 400}" cy="${rand() * 300}" r="${20 + rand() * 90}" fill="${colour}"/>`
      : `<rect x="${rand() * 350}" y="${rand() * 250}" width="${40 + rand() * 160}" height="${40 + rand() * 120}" fill="${colour}"/>`;
  }).join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="rgb(${Math.floor(rand() * 255)},200,120)"/>${shapes}</svg>`,
  );
}
