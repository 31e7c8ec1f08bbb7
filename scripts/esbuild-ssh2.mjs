// ssh2 loads two optional native bindings (its crypto speed-ups and
// cpu-features) inside try/catch and falls back to Node's own crypto without
// them. A bundle cannot carry a .node file, so each becomes a module that
// throws, and ssh2 takes the fallback as on a machine without a compiler.
export const ssh2WithoutNative = {
  name: 'ssh2-without-native',
  setup(b) {
    b.onResolve({ filter: /\.node$|^cpu-features$/ }, (a) => ({ path: a.path, namespace: 'no-native' }));
    b.onLoad({ filter: /.*/, namespace: 'no-native' }, (a) => ({
      contents: `throw new Error(${JSON.stringify(`${a.path}: native binding left out of the bundle`)});`,
      loader: 'js',
    }));
  },
};

/** Keeps ssh2 out of the bundle that imports it: ./ssh2.cjs is required on the first sftp:// call only. */
export const ssh2Apart = {
  name: 'ssh2-apart',
  setup(b) {
    b.onResolve({ filter: /^ssh2$/ }, () => ({ path: './ssh2.cjs', external: true }));
  },
};
