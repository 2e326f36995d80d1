// The YAML reader of this build, or undefined while the npm package `yaml` is not a dependency:
// policy files are then read as JSON only (policy-file.ts says so to whoever gives a YAML file).
//
// To read YAML, add `yaml` (^2.9.1) to package.json and make this file:
//
//   import * as yaml from 'yaml';
//   import type { SourceReader } from './source-tree.js';
//   import { yamlSourceReader } from './yaml-source.js';
//   export const YAML_READER: SourceReader | undefined = yamlSourceReader(yaml);
import type { SourceReader } from './source-tree.js';

export const YAML_READER: SourceReader | undefined = undefined;
