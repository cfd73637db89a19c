/** The exit code of every command when the config or a command-line value is invalid. */
export const EXIT_CONFIG = 2;
