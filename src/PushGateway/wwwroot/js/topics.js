// Topic picker and raw log: subscribe to any topic or pattern and watch its messages as they arrive.
import { el, clockTime } from './format.js';

const LOG_LIMIT = 200;
const DATA_PREVIEW = 400;

export class TopicConsole {
  #client;
  #loop;
  #form;
  #input;
  #error;
  #subsList;
  #log;
  #subs = new Map();
  #pending = [];

  constructor(client, { form, input, error, subsList, log }, loop) {
    this.#client = client;
    this.#loop = loop;
    this.#form = form;
    this.#input = input;
    this.#error = error;
    this.#subsList = subsList;
    this.#log = log;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const topic = input.value.trim();
      if (topic) this.add(topic);
    });
    subsList.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-topic]');
      if (button) this.remove(button.dataset.topic);
    });
  }

  async add(topic) {
    this.#error.textContent = '';
    if (this.#subs.has(topic)) {
      this.#error.textContent = `already watching ${topic}`;
      return;
    }
    const chip = el(
      'li',
      { 'data-topic': topic, 'data-state': 'pending', 'data-testid': `topic-sub-${topic}` },
      el('code', { text: topic }),
      el('button', { type: 'button', 'data-topic': topic, 'aria-label': `stop watching ${topic}`, title: 'unsubscribe', text: '×' }),
    );
    this.#subs.set(topic, { chip, subscription: null });
    this.#subsList.append(chip);
    try {
      const subscription = await this.#client.subscribe(topic, (data, meta) => this.#onMessage(data, meta), { snapshot: true });
      const entry = this.#subs.get(topic);
      if (!entry) return;
      entry.subscription = subscription;
      chip.dataset.state = 'live';
      this.#input.value = '';
    } catch (err) {
      chip.remove();
      this.#subs.delete(topic);
      this.#error.textContent = `${topic}: ${err.code ? `${err.code}: ` : ''}${err.message}`;
    }
  }

  remove(topic) {
    const entry = this.#subs.get(topic);
    if (!entry) return;
    this.#subs.delete(topic);
    entry.chip.remove();
    (entry.subscription ? entry.subscription.unsubscribe() : this.#client.unsubscribe(topic)).catch((err) => {
      this.#error.textContent = `${topic}: ${err.message}`;
    });
  }

  #onMessage(data, meta) {
    this.#pending.push({ data, meta, at: new Date() });
    if (this.#pending.length > LOG_LIMIT) this.#pending.splice(0, this.#pending.length - LOG_LIMIT);
    this.#loop.invalidate(this);
  }

  render() {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const fragment = document.createDocumentFragment();
    for (let i = batch.length - 1; i >= 0; i--) {
      const { data, meta, at } = batch[i];
      let text = JSON.stringify(data) ?? 'undefined';
      if (text.length > DATA_PREVIEW) text = text.slice(0, DATA_PREVIEW) + '…';
      fragment.append(
        el(
          'li',
          {
            'data-topic': meta.topic,
            'data-seq': meta.seq ?? undefined,
            'data-epoch': meta.epoch ?? undefined,
            'data-pattern': meta.pattern ?? undefined,
          },
          el('time', { text: clockTime(at) }),
          el('code', { class: 'log-topic', text: meta.topic }),
          meta.seq !== null ? el('span', { class: 'log-seq', text: `#${meta.seq}` }) : '',
          el('span', { class: 'log-data', text }),
        ),
      );
    }
    this.#log.prepend(fragment);
    while (this.#log.childElementCount > LOG_LIMIT) this.#log.lastElementChild.remove();
  }
}
