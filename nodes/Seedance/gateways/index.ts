import type { SeedanceGateway } from './gateway';
import { aiHubMixGateway } from './aihubmix';
import { arkGateway } from './ark';
import { tokenHubGateway } from './tokenhub';

/** Every gateway the node offers, in the order of the Provider list. */
export const GATEWAYS: readonly SeedanceGateway[] = [tokenHubGateway, aiHubMixGateway, arkGateway];

export function getGateway(name: string): SeedanceGateway {
	const gateway = GATEWAYS.find((candidate) => candidate.name === name);
	if (!gateway) throw new Error(`Unknown provider "${name}"`);
	return gateway;
}

export type { SeedanceGateway } from './gateway';

/** Whether the gateway documents a task list (Get Many), where a task of unknown outcome can be found. */
export function listsTasks(gateway: SeedanceGateway): boolean {
	return gateway.listRequest({ pageNum: 1, pageSize: 1 }) !== null;
}
