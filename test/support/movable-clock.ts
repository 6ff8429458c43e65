import { Clock } from '../../src/common/clock';

/** The system time, moved forward on demand: token lifetimes and review intervals are minutes to days, too long to wait for. */
export class MovableClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
