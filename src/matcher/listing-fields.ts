// The text fields of a listing that the pack is matched against, in a fixed order.
import { FIELD_BITS } from './pattern-plan.js';
import type { ListingToMatch } from './match-task.js';

import type { TextField } from './text-field.js';

export type { TextField } from './text-field.js';

export interface ListingTextSource {
  title: string;
  description?: string | undefined;
  brand?: string | undefined;
  attributes?: Readonly<Record<string, string>> | undefined;
}

export function listingTextFields(listing: ListingTextSource): TextField[] {
  const fields: TextField[] = [{ name: 'title', bit: FIELD_BITS.title, text: listing.title }];
  if (listing.description) fields.push({ name: 'description', bit: FIELD_BITS.description, text: listing.description });
  if (listing.brand) fields.push({ name: 'brand', bit: FIELD_BITS.brand, text: listing.brand });
  if (listing.attributes) {
    for (const [key, value] of Object.entries(listing.attributes)) {
      if (value) fields.push({ name: `attributes.${key}`, bit: FIELD_BITS.attributes, text: value });
    }
  }
  return fields;
}

/** What of a listing is matched: its text fields and its images' perceptual hashes. */
export function listingToMatch(listing: ListingTextSource & { images?: ReadonlyArray<{ phash?: string | undefined }> | undefined }): ListingToMatch {
  return { fields: listingTextFields(listing), fingerprint: { phashes: (listing.images ?? []).map((image) => image.phash) } };
}
