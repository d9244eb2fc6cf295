// The 64-bit DCT perceptual hash the image fingerprints compare. Its one
// implementation is the client package's (client/src/image-hash.ts): a
// marketplace's upload path hashes with the client, a rights holder with this
// tool, and the two must agree bit for bit.
export { imageHash as imagePhash } from '../../client/src/image-hash.js';
