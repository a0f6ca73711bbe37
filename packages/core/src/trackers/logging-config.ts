// The job config's `logging:` section: experiment trackers that receive every metrics line (besides metrics.jsonl).

/** Weights & Biases. */
export interface WandbLoggingConfig {
  project: string;
  entity?: string;
  /** 'offline' writes the run under <run dir>/wandb (sync it later with `wandb sync`). Default: $WANDB_MODE, else online. */
  mode?: 'online' | 'offline' | 'disabled';
}

/** TensorBoard. */
export interface TensorBoardLoggingConfig {
  /** Event files go to <dir>/<run name>/; relative to the config file. Default: <run dir>/tensorboard. */
  dir?: string;
}

/** `logging:` of the job config. */
export interface LoggingConfig {
  wandb?: WandbLoggingConfig;
  tensorboard?: TensorBoardLoggingConfig;
}

/** JSON Schema of `logging:`. */
export const loggingConfigSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'experiment trackers every metrics line goes to, with the config as run parameters (through the trackers\' own Python libraries: pip extra molrl-policy[trackers])',
  properties: {
    wandb: {
      type: 'object',
      additionalProperties: false,
      required: ['project'],
      properties: {
        project: { type: 'string', minLength: 1 },
        entity: { type: 'string', minLength: 1 },
        mode: { enum: ['online', 'offline', 'disabled'], description: "default: $WANDB_MODE, else 'online'; 'offline' writes under <run dir>/wandb" },
      },
    },
    tensorboard: {
      type: 'object',
      additionalProperties: false,
      properties: { dir: { type: 'string', minLength: 1, description: 'event files go to <dir>/<run name>/ (relative to the config file); default <run dir>/tensorboard' } },
    },
  },
};
