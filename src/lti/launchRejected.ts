/** A launch Laurel refuses: `reason` is a stable code for logs and tests, `detail` says what was wrong for a person. */
export class LaunchRejected extends Error {
  constructor(readonly reason: string, readonly detail: string) {
    super(`${reason}: ${detail}`);
    this.name = 'LaunchRejected';
  }
}
