// The one definition of what an ID may look like before it is put into a URL path.

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;
export const CLIENT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Defence in depth: tool schemas check IDs first, this makes sure no other caller can skip it. */
export function assertSafeId(name: string, value: string): void {
  if (!ID_PATTERN.test(value)) {
    throw new TypeError(`${name} must be 1-36 characters of A-Z, a-z, 0-9, "_" or "-"`);
  }
}
