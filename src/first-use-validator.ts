// The JSON Schema validator the SDK's Server checks elicitation answers with (the approval form's
// content against the schema it asked for). The SDK's default builds an Ajv instance, formats and
// all, in the Server's constructor: that is work at every start and in every HTTP session, for a
// check that runs only when a person answers a form. This one builds the same validator then.
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

export class FirstUseValidator implements jsonSchemaValidator {
  private validator: AjvJsonSchemaValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    this.validator ??= new AjvJsonSchemaValidator();
    return this.validator.getValidator<T>(schema);
  }
}
