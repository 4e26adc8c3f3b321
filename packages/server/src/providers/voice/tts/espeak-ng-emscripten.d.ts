/** The few parts of @echogarden/espeak-ng-emscripten (an untyped Emscripten build) that engine-worker.ts uses. */
declare module '@echogarden/espeak-ng-emscripten' {
  /** One espeak-ng instance inside the Emscripten module. */
  export interface ESpeakNGWorker {
    /** 0 on success. */
    set_voice(name: string): number;
    get_samplerate(): number;
    list_voices(): { identifier: string; name: string; languages: { name: string; priority: number }[] }[];
    /** Calls `chunk` with each piece of audio (a view into the module's heap: copy it); return 0 to go on. */
    synthesize(text: string, chunk: (samples: Int16Array, events: unknown) => number): void;
  }
  /** The loaded module. */
  export interface ESpeakNGModule {
    eSpeakNGWorker: new () => ESpeakNGWorker;
  }
  /** Loads the module (its .wasm and voice data from beside espeak-ng.js). */
  export default function load(options?: { print?: (text: string) => void; printErr?: (text: string) => void }): Promise<ESpeakNGModule>;
}
