// The environment for a child that runs npm, or a command as a user would: without the
// variables npm sets for the script running vitest (npm test), and without a CI job summary
// a child could append to.
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!/^npm_/i.test(name) && name !== "INIT_CWD" && name !== "GITHUB_STEP_SUMMARY")
      env[name] = value;
  return { ...env, NO_COLOR: "1", npm_config_update_notifier: "false", ...extra };
}
