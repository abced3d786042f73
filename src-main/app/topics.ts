/** A tiny typed pub/sub for the contract's topics; a throwing listener never breaks the others. */
import type { TopicName, Topics } from '../ipc/contract';

export class TopicHub {
  private readonly listeners = new Map<TopicName, Set<(payload: never) => void>>();
  /** listener exceptions, counted (a UI bug must not stop the pipeline) */
  listenerErrors = 0;

  on<T extends TopicName>(topic: T, listener: (payload: Topics[T]) => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  emit<T extends TopicName>(topic: T, payload: Topics[T]): void {
    const set = this.listeners.get(topic);
    if (!set) return;
    for (const l of set) {
      try {
        (l as (p: Topics[T]) => void)(payload);
      } catch {
        this.listenerErrors++;
      }
    }
  }

  has(topic: TopicName): boolean {
    return (this.listeners.get(topic)?.size ?? 0) > 0;
  }

  clear(): void {
    this.listeners.clear();
  }
}
