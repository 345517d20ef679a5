/**
 * Removes the SDK's logger middleware. Outroute gives the SDK no logger, yet
 * that middleware still copies every request and answer through the model's
 * sensitive-data filter to hand them to its no-op logger: about 3 % of the
 * local platform's CPU at 100 tickets/s, and the same per request in Lambda.
 */
export function withoutSdkLogging<Client extends { middlewareStack: { remove(name: string): boolean } }>(
  client: Client,
): Client {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
