// One requestAnimationFrame per screen refresh at most, whatever the message rate: messages only
// update models and mark their view dirty; the DOM is touched here, once per frame.

export class RenderLoop {
  #dirty = new Set();
  #scheduled = false;

  /** Asks for view.render(now) in the next frame; repeated calls in one frame coalesce. */
  invalidate(view) {
    this.#dirty.add(view);
    if (this.#scheduled) return;
    this.#scheduled = true;
    requestAnimationFrame((now) => this.#run(now));
  }

  #run(now) {
    this.#scheduled = false;
    const views = [...this.#dirty];
    this.#dirty.clear();
    for (const view of views) {
      try {
        view.render(now);
      } catch (err) {
        console.error('render failed', err);
      }
    }
  }
}
