/** A UTC time to the second as file names and ids carry it: 20261126T020000Z. */
export function compactUTC(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}
