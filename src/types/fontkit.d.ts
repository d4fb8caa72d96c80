declare module 'fontkit' {
  /** Parses a TrueType font; pdfkit accepts the result wherever it takes a font. */
  export function create(buffer: Buffer | Uint8Array): unknown;
}
