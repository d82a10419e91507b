/**
 * The Temporal client's retries of a failed call (the SDK's own interceptor and backoff), except after its connection
 * was closed. The SDK retries a call the server turned away (UNAVAILABLE, RESOURCE_EXHAUSTED from a busy incident, ...)
 * after a timer that nothing cancels; when the connection closes meanwhile (an API process stopping), the retry's new
 * call throws "Channel has been shut down" from that timer: an uncaught exception, and the caller's promise never
 * settles. Here a call that cannot be made on a closed connection fails instead, with CANCELLED (which is not
 * retried), so the caller hears why and the process stops cleanly.
 */
import { Metadata, status, type Interceptor, type InterceptingListener, type NextCall, type StatusObject } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

/** A call as the next interceptor (or the channel) makes it. */
type Call = ReturnType<NextCall>;

/** What a call made on a closed connection answers: the reason, at once, and nothing sent. */
function closedCall(error: unknown): Call {
  const reason = error instanceof Error ? error.message : String(error);
  const answer: StatusObject = {
    code: status.CANCELLED,
    details: `the connection to Temporal was closed before this call could be made (${reason})`,
    metadata: new Metadata(),
  };
  return {
    start(_metadata: Metadata, listener?: Partial<InterceptingListener>) {
      // As a real call would: the status comes after start has returned.
      process.nextTick(() => listener?.onReceiveStatus?.(answer));
    },
    sendMessageWithContext() {},
    sendMessage() {},
    startRead() {},
    halfClose() {},
    cancelWithStatus() {},
    getPeer: () => '',
  } as unknown as Call;
}

/** The interceptor to give `Connection.connect` in place of the SDK's default retry interceptor. */
export function retryUntilClosed(): Interceptor {
  const retrying = makeGrpcRetryInterceptor(defaultGrpcRetryOptions());
  return (options, nextCall) =>
    retrying(options, (callOptions) => {
      try {
        return nextCall(callOptions);
      } catch (error) {
        return closedCall(error);
      }
    });
}
