/**
 * The receiving side of the MQTT connection: which handler or watcher a message goes to, after
 * the size limit and the retained-command rule. Kept apart from the connection's lifecycle so
 * each can be read on its own.
 */
import { childLogger } from '../log.js';
import { redactString } from '../util/redact.js';
import { truncate } from '../util/truncate.js';
import {
  decodeIncoming,
  type IncomingKind,
  type IncomingMessage,
  type IncomingOf,
  MAX_INCOMING_PAYLOAD_BYTES,
  oversizedAnswer,
} from './incoming.js';
import { createTopicParser, type ParsedTopic } from './topics.js';

const log = childLogger('mqtt');

export type MessageHandler<K extends IncomingKind> = (message: IncomingOf<K>) => void | Promise<void>;
/** A watched topic's payload (as text), and whether the broker delivered it as retained. */
export type TopicWatcher = (payload: string, retained: boolean) => void;
/** Publishes an error answer (a topic relative to the base topic) where the sender expects one. */
export type AnswerSender = (topic: string, payload: object) => Promise<unknown>;

export class IncomingDispatch {
  readonly #baseTopic: string;
  readonly #parseTopic: (topic: string) => ParsedTopic | undefined;
  readonly #handlers = new Map<IncomingKind, Set<(message: IncomingMessage) => void | Promise<void>>>();
  readonly #watchers = new Map<string, Set<TopicWatcher>>();
  readonly #answer: AnswerSender;

  constructor(baseTopic: string, answer: AnswerSender) {
    this.#baseTopic = baseTopic;
    this.#parseTopic = createTopicParser(baseTopic);
    this.#answer = answer;
  }

  /** Handles messages of one kind; returns the unsubscribe function. */
  onMessage<K extends IncomingKind>(kind: K, handler: MessageHandler<K>): () => void {
    let set = this.#handlers.get(kind);
    if (!set) {
      set = new Set();
      this.#handlers.set(kind, set);
    }
    // Dispatch looks handlers up by the message's kind, so the narrowing holds.
    const stored = (message: IncomingMessage): void | Promise<void> => handler(message as IncomingOf<K>);
    set.add(stored);
    return () => set.delete(stored);
  }

  /** Adds a watcher; `isNewTopic` tells the connection to subscribe. */
  watch(topic: string, watcher: TopicWatcher): { isNewTopic: boolean; stop: () => void } {
    let set = this.#watchers.get(topic);
    const isNewTopic = !set;
    if (!set) {
      set = new Set();
      this.#watchers.set(topic, set);
    }
    set.add(watcher);
    const watchers = set;
    return { isNewTopic, stop: () => watchers.delete(watcher) };
  }

  watchedTopics(): string[] {
    return [...this.#watchers.keys()];
  }

  dispatch(topic: string, payload: Buffer, retained: boolean): void {
    if (payload.length > MAX_INCOMING_PAYLOAD_BYTES) {
      const parsed = this.#parseTopic(topic);
      if (parsed && !retained) this.#refuseOversized(topic, parsed, payload.length);
      else log.warning(`ignored a ${payload.length}-byte message on ${truncate(topic)}: over the limit`);
      return;
    }
    const watchers = this.#watchers.get(topic);
    if (watchers) {
      const text = payload.toString('utf8');
      for (const watcher of watchers) {
        try {
          watcher(text, retained);
        } catch (error) {
          log.error(`watching ${topic} failed`, { error });
        }
      }
    }
    const parsed = this.#parseTopic(topic);
    if (!parsed) return;
    if (retained) {
      log.warning(`ignoring a retained message on ${truncate(topic)}: commands must not be retained`);
      return;
    }
    const message = decodeIncoming(parsed, payload);
    const handlers = this.#handlers.get(message.kind);
    if (!handlers || handlers.size === 0) {
      log.debug(`no handler for ${message.kind} on ${topic}`);
      return;
    }
    for (const handler of handlers) {
      Promise.resolve()
        .then(() => handler(message))
        .catch((error: unknown) => log.error(`handling ${topic} failed`, { error }));
    }
  }

  /** Before any decoding: one bounded log line, and an error answer where the sender expects one. */
  #refuseOversized(topic: string, parsed: ParsedTopic, bytes: number): void {
    log.warning(
      `refused a ${bytes}-byte message on ${truncate(topic)}: over the ${MAX_INCOMING_PAYLOAD_BYTES}-byte limit`,
    );
    const answer = oversizedAnswer(parsed, bytes);
    if (!answer) return;
    this.#answer(`${this.#baseTopic}/${answer.topic}`, answer.payload).catch((error: unknown) =>
      log.warning(`cannot answer the oversized message: ${redactString(String(error))}`),
    );
  }
}
