/**
 * An error the OCI distribution API reports to its client: HTTP status, distribution error code
 * (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, …), message and optional detail, serialised as
 * `{"errors":[{"code","message","detail"}]}`.
 */
export class OciError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public detail?: unknown
  ) {
    super(message);
    this.name = 'OciError';
  }

  /** The distribution error body. */
  toBody(): { errors: { code: string; message: string; detail?: unknown }[] } {
    return {
      errors: [
        {
          code: this.code,
          message: this.message,
          ...(this.detail === undefined ? {} : { detail: this.detail }),
        },
      ],
    };
  }
}
