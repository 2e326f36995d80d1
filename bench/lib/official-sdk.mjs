// The official Node SDK's request pipeline (@huaweicloud/huaweicloud-sdk-core: HcClient → AKSKSigner
// → axios), driven the way its generated service clients drive it. The ER service package is not
// installed, so the request options are built here in the shape its generated ErClient builds them
// (url template, pathParams, queryParams, headers, contentType, data, responseHeaders).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { HcClient } = require('@huaweicloud/huaweicloud-sdk-core/HcClient');
const { DefaultHttpClient } = require('@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient');
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials');
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner');

export { AKSKSigner, BasicCredentials };

/**
 * An HcClient for `endpoint`, assembled exactly as ClientBuilder.build() assembles it (same axios
 * options, DefaultHttpClient, HcClient, credential and endpoints), except for the User-Agent text:
 * the builder's helper for it requires `uuid`, which sdk-core 3.1.211 uses but does not declare
 * (so it is not installed), and writes ~/.huaweicloud/application_id. Plain http:// endpoints are
 * used as given; the builder's disableSslVerification only matters for https.
 */
export function officialClient({ endpoint, ak, sk, projectId }) {
  const credential = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
  const axiosOptions = { disableSslVerification: true, headers: { 'User-Agent': 'huaweicloud-usdk-nodejs/3.0; bench' } };
  const endpoints = [endpoint];
  return new HcClient(new DefaultHttpClient(axiosOptions, endpoints)).withCredential(credential).withEndpoints(endpoints);
}

/** What ErClient.listAssociations({er_id, route_table_id, attachment_id: [id]}) sends. */
export function listAssociationsOptions({ erId, routeTableId, attachmentId }) {
  return {
    method: 'GET',
    url: '/v3/{project_id}/enterprise-router/{er_id}/route-tables/{route_table_id}/associations',
    contentType: 'application/json',
    queryParams: { attachment_id: [attachmentId] },
    pathParams: { er_id: erId, route_table_id: routeTableId },
    headers: {},
    responseHeaders: [''],
  };
}

/** What ErClient.associateRouteTable({er_id, route_table_id, X-Client-Token, body}) sends. */
export function associateOptions({ erId, routeTableId, attachmentId, clientToken }) {
  return {
    method: 'POST',
    url: '/v3/{project_id}/enterprise-router/{er_id}/route-tables/{route_table_id}/associate',
    contentType: 'application/json',
    queryParams: {},
    pathParams: { er_id: erId, route_table_id: routeTableId },
    headers: { 'X-Client-Token': clientToken, 'Content-Type': 'application/json' },
    data: { attachment_id: attachmentId },
    responseHeaders: ['X-Client-Token'],
  };
}
