type Listener = (payload: string) => void;

/**
 * One LISTEN per channel, fanned out to every local listener, so that stopping one listener
 * never silences another on the same channel. The connection-specific part is `listenTo`/`unlistenFrom`.
 */
export class ChannelListeners {
  private readonly byChannel = new Map<string, Set<Listener>>();
  /** Settles once the channel's LISTEN has run. */
  private readonly listening = new Map<string, Promise<void>>();

  constructor(
    private readonly listenTo: (channel: string) => Promise<void>,
    private readonly unlistenFrom: (channel: string) => Promise<void>,
  ) {}

  channels(): string[] {
    return [...this.byChannel.keys()];
  }

  async add(channel: string, listener: Listener): Promise<() => Promise<void>> {
    let listeners = this.byChannel.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.byChannel.set(channel, listeners);
      this.listening.set(channel, this.listenTo(channel));
    }
    listeners.add(listener);
    try {
      await this.listening.get(channel);
    } catch (error) {
      await this.remove(channel, listener);
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      await this.remove(channel, listener);
    };
  }

  dispatch(channel: string, payload: string): void {
    for (const listener of [...(this.byChannel.get(channel) ?? [])]) listener(payload);
  }

  private async remove(channel: string, listener: Listener): Promise<void> {
    const listeners = this.byChannel.get(channel);
    if (!listeners?.delete(listener) || listeners.size > 0) return;
    const listening = this.listening.get(channel);
    this.byChannel.delete(channel);
    this.listening.delete(channel);
    const listened = await listening?.then(
      () => true,
      () => false,
    );
    // A listener may have come back while the LISTEN settled; then the channel stays.
    if (listened && !this.byChannel.has(channel)) await this.unlistenFrom(channel);
  }
}
