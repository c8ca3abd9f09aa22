// Speaks systemd's notification protocol when mcrd runs as a Type=notify service:
// READY=1 once the rules are applied, RELOADING=1 with MONOTONIC_USEC around each
// reload, STATUS= one-line summaries, STOPPING=1, and WATCHDOG=1 pings at half the
// interval systemd asks for. Without $NOTIFY_SOCKET every call does nothing.

/** Sends one notification datagram (the addon's notify). */
export type SendNotification = (socketPath: string, message: string) => void;

export interface Notifier {
  ready(status: string): void;
  reloading(): void;
  status(status: string): void;
  stopping(): void;
  /** Stops the watchdog pings. */
  close(): void;
}

/** CLOCK_MONOTONIC in microseconds, as systemd wants it with RELOADING=1. */
export function monotonicMicroseconds(): bigint {
  return process.hrtime.bigint() / 1000n;
}

export function createNotifier(
  send: SendNotification,
  env: NodeJS.ProcessEnv = process.env,
  onError: (message: string) => void = () => {},
): Notifier {
  const socket = env.NOTIFY_SOCKET;
  const notify = (lines: string[]): void => {
    if (!socket) return;
    try {
      send(socket, lines.join('\n'));
    } catch (error) {
      onError(`cannot notify systemd: ${(error as Error).message}`);
    }
  };
  // systemd wants a ping within WATCHDOG_USEC, and only from the process it started
  // (WATCHDOG_PID, when set, says which).
  const watchdogUsec = Number(env.WATCHDOG_USEC ?? 0);
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
  let watchdog: NodeJS.Timeout | undefined;
  if (socket && watchdogUsec > 0 && forUs) {
    watchdog = setInterval(() => notify(['WATCHDOG=1']), Math.max(1, Math.floor(watchdogUsec / 2000)));
    watchdog.unref();
  }
  return {
    ready: (status) => notify(['READY=1', `STATUS=${status}`]),
    reloading: () => notify(['RELOADING=1', `MONOTONIC_USEC=${monotonicMicroseconds()}`]),
    status: (status) => notify([`STATUS=${status}`]),
    stopping: () => notify(['STOPPING=1']),
    close: () => clearInterval(watchdog),
  };
}
