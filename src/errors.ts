/**
 * The one base of every error class in this project. `error instanceof BridgeError` tells an
 * error we raised on purpose (a refused config, a classified Netatmo answer, a bad request)
 * from a foreign one (a library's, a TypeError: a bug). Each subclass keeps its own name.
 */
export class BridgeError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    // The concrete class's name, so `String(error)` and stack traces say which kind it is.
    this.name = new.target.name;
  }
}
