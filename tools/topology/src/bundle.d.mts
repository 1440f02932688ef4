/** Where the services' bundles are (node_modules/.cache/schakel-services). */
export declare const BUNDLE_DIR: string;
/** Bundle every service for plain Node (or reuse the last bundles when nothing changed); each one's entry file. */
export declare function bundleServices(): Promise<Record<string, string>>;
/** The topology CLI bundled for plain Node (or the last bundle when nothing changed). */
export declare function bundleCli(): Promise<string>;
