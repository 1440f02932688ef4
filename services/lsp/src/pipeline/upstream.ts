import { ERROR_CODES, type ErrorCode, type SourceStatus } from '@schakel/contracts';
import { CallError } from '@schakel/service-kit';

/**
 * One vocabulary for what went wrong on a leg to a source or a GP, whatever the interaction: the per-source
 * status in a batch (`timeout`, `unreachable`, `error`) and the error code from the one list.
 */
export function upstreamFailure(err: unknown): { status: SourceStatus; code: ErrorCode; detail: string } {
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof CallError && err.kind === 'timeout')
    return { status: 'timeout', code: 'UPSTREAM_TIMEOUT', detail };
  if (err instanceof CallError && err.kind === 'unreachable')
    return { status: 'unreachable', code: 'UPSTREAM_UNREACHABLE', detail };
  // A source that answered a problem of our own list keeps its code; anything else is UPSTREAM_ERROR.
  const code = err instanceof CallError ? err.detail.problem?.code : undefined;
  return {
    status: 'error',
    code: code !== undefined && code in ERROR_CODES ? (code as ErrorCode) : 'UPSTREAM_ERROR',
    detail,
  };
}
