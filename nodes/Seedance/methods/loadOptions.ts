import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { getGateway } from '../gateways';
import { REPORTED_MODELS } from '../models';
import { describeModelPrices } from '../pricing';
import { checkBaseUrl, send } from '../transport';

const MODELS_TIMEOUT_MS = 10_000;

function seedanceIds(body: unknown): string[] {
	const data = (body as { data?: unknown })?.data;
	if (!Array.isArray(data)) return [];
	return data
		.map((model) => (model as { id?: unknown })?.id)
		.filter((id): id is string => typeof id === 'string' && /seedance/i.test(id));
}

/**
 * The Model list: the gateway's own Seedance models, live, so new ones show up without a
 * release; the documented table when the gateway cannot be reached or lists none. Any ID can
 * still be typed as an expression. The live list says a model exists, not what it allows: one
 * the node has no family for is checked only for what is true of every model (validation.ts).
 */
export async function getModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const gateway = getGateway(this.getCurrentNodeParameter('provider') as string);
	const documented = new Map(gateway.capabilities.models.map((model) => [model.id, model]));
	let live: string[] = [];
	let priceList = gateway.priceList({});
	try {
		const credentials = await this.getCredentials(gateway.credentialType);
		priceList = gateway.priceList(credentials);
		const checked = checkBaseUrl(gateway, gateway.baseUrl(credentials));
		const request = gateway.modelsRequest();
		if ('url' in checked && request) {
			const response = await send(this, gateway, checked.url, {
				method: request.method,
				url: `${checked.url.href.replace(/\/+$/, '')}${request.path}`,
				json: true,
				timeout: MODELS_TIMEOUT_MS,
			});
			if (response.statusCode >= 200 && response.statusCode < 300) live = seedanceIds(response.body);
		}
	} catch {
		// Offline, a rejected key, or no list endpoint: the documented models still work.
	}
	const ids = live.length ? [...new Set(live)] : [...documented.keys()];
	return ids.map((id) => {
		const model = documented.get(id);
		const reported = REPORTED_MODELS[id];
		const unknown = `not known to this node, so its limits are left to ${gateway.displayName}`;
		return {
			// The price where the choice is made, from the one price file.
			name: `${id} · ${describeModelPrices(priceList, id)}`,
			value: id,
			description: model
				? `${model.family}: ${model.duration.min}–${model.duration.max} s; Resolutions: ${model.resolutions.join(', ')}`
				: reported
					? `${reported.name}, listed by ${gateway.displayName}; ${unknown} (reported, secondhand: ${reported.reported})`
					: `Listed by ${gateway.displayName}; ${unknown}`,
		};
	});
}
