// The error the emulator answers with: HTTP status, ER code and message, as the API sends them.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
