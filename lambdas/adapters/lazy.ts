/**
 * SDK clients built on first use rather than at load: a cold start pays only for the clients its
 * request needs (an Alertmanager webhook never starts an escalation, a duplicate alert publishes
 * no event). The adapters keep taking a client; they get this stand-in, which builds the real one
 * the first time anything of it is read (in practice, the first `send`).
 */
export function lazy<Client extends object>(build: () => Client): Client {
  let client: Client | undefined;
  const built = (): Client => {
    client ??= build();
    return client;
  };
  // The empty target is never read: every property comes from the built client. Methods are bound
  // to it so that what they set on `this` (the SDK caches its handler chain there) stays on it.
  return new Proxy({} as Client, {
    get(_target, property) {
      const value: unknown = Reflect.get(built(), property);
      return typeof value === 'function' ? value.bind(built()) : value;
    },
    has: (_target, property) => Reflect.has(built(), property),
    getPrototypeOf: () => Object.getPrototypeOf(built()),
  });
}
