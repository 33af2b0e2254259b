/**
 * Laurel's public URL, for the parts that issue credentials outside a request (background
 * evaluations): set once at start from PUBLIC_URL. Credentials carry it for good.
 */
let base: string | undefined;

export function setPublicBase(publicUrl: string): void {
  base = publicUrl.replace(/\/+$/, '');
}

export function publicBase(): string {
  if (!base) throw new Error('the public URL is not set: setPublicBase(PUBLIC_URL) runs at start');
  return base;
}
