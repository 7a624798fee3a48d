// Free TCP ports for tests: the drill's helper, one at a time.
import { freePorts } from '../../drill/ports';

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}
