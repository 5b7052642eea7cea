import { failureReason } from '../../../lambdas/use-cases/audit-distributed';

// What a shard that failed after its retries says in the report (and so the notification).
describe('failureReason', () => {
  it("keeps a Lambda error's type and message, never its stack trace", () => {
    const cause = JSON.stringify({
      errorType: 'UpstreamHttpError',
      errorMessage: 'cluster1 GET /v2/_catalog: HTTP 500',
      trace: [
        'UpstreamHttpError: cluster1 GET /v2/_catalog: HTTP 500',
        '    at request (/var/task/index.js:1:2345)',
      ],
    });

    expect(failureReason({ Error: 'UpstreamHttpError', Cause: cause })).toBe(
      'UpstreamHttpError: cluster1 GET /v2/_catalog: HTTP 500'
    );
  });

  it("keeps a service error's text Cause to its first line", () => {
    expect(
      failureReason({
        Error: 'Lambda.TooManyRequestsException',
        Cause: 'Rate exceeded\n(Service: Lambda, Status Code: 429)',
      })
    ).toBe('Lambda.TooManyRequestsException: Rate exceeded');
  });

  it('is the error name alone without a cause, and cuts a long message', () => {
    expect(failureReason({ Error: 'States.Timeout' })).toBe('States.Timeout');
    const long = failureReason({
      Error: 'E',
      Cause: JSON.stringify({ errorMessage: 'x'.repeat(2_000) }),
    });
    expect(long).toBe(`E: ${'x'.repeat(500)}`);
  });
});
