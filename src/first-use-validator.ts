// The JSON Schema validator the SDK's Server checks elicitation answers with (the approval form's
// content against the schema it asked for). The SDK's default builds an Ajv instance, formats and
// all, in the Server's constructor: that is work at every start and in every HTTP session, for a
// check that runs only when a person answers a form. Ajv is not even loaded here until then: the
// channel that sends a form loads it first (`loadFormValidator`), and the shipped bundle leaves
// the SDK's default out altogether (scripts/build.mjs, `withoutTheDefaultValidator`).
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

/** One Ajv for the process: it keeps each schema it compiled, and every session asks with the same form. */
let ajv: Promise<jsonSchemaValidator> | undefined;
let loaded: jsonSchemaValidator | undefined;

/** Loads the SDK's Ajv validator, once; a load that failed (a chunk missing from a broken install) is tried again next time. */
export function loadFormValidator(): Promise<jsonSchemaValidator> {
  ajv ??= import('@modelcontextprotocol/sdk/validation/ajv').then(
    ({ AjvJsonSchemaValidator }) => (loaded = new AjvJsonSchemaValidator()),
    (error: unknown) => {
      ajv = undefined;
      throw error;
    },
  );
  return ajv;
}

export class FirstUseValidator implements jsonSchemaValidator {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    // The SDK turns this into an error answer to the form, so the write it was for is refused.
    if (!loaded) throw new Error('the form validator was not loaded before the form was sent');
    return loaded.getValidator<T>(schema);
  }
}
