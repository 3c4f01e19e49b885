/**
 * Seedance prices per second of video, in USD, as the gateways publish them.
 *
 * TokenHub: https://tokenhub.store/zh-CN/guide/seedance (price table and "计费说明": billed on
 *   input video seconds + output seconds; 5 s input + 10 s output at 720p on doubao-seedance-2.0
 *   = (5 + 10) × $0.20 = $3.00).
 * AIHubMix: https://docs.aihubmix.com/cn/blogs/untitled-page-1 ("可用模型" table; requests with a
 *   reference video cost more on the 2.0 series. The page's line reads "480p 0.158/秒、720p
 *   0.341/秒", taken here as $0.158/s at 480p and $0.341/s at 720p).
 * Checked 2026-11; prices change, so the output calls this an estimate.
 */
export interface PriceTable {
	/** USD per output second, by model and resolution. */
	perSecond: Record<string, Record<string, number>>;
	/** USD per output second when a reference video is attached, where the gateway charges more. */
	withReferenceVideoPerSecond?: Record<string, Record<string, number>>;
	/** Whether reference-video input seconds are billed at the same rate as output seconds. */
	billsInputVideoSeconds: boolean;
	source: string;
}

export const PRICES: Record<string, PriceTable> = {
	tokenhub: {
		perSecond: {
			'doubao-seedance-2.0': { '480p': 0.12, '720p': 0.2 },
			'doubao-seedance-2.0-fast': { '480p': 0.1, '720p': 0.16 },
		},
		billsInputVideoSeconds: true,
		source: 'https://tokenhub.store/zh-CN/guide/seedance',
	},
	aihubmix: {
		perSecond: {
			'doubao-seedance-2-0-260128': { '480p': 0.071, '720p': 0.154 },
			'doubao-seedance-2-0-fast-260128': { '480p': 0.055, '720p': 0.113 },
			'doubao-seedance-1-5-pro-251215': { '480p': 0.0225, '720p': 0.0487, '1080p': 0.11 },
			'doubao-seedance-1-0-pro-250528': { '480p': 0.021, '720p': 0.044, '1080p': 0.102 },
			'doubao-seedance-1-0-pro-fast-251015': { '480p': 0.0062, '720p': 0.0123, '1080p': 0.0298 },
		},
		withReferenceVideoPerSecond: {
			'doubao-seedance-2-0-260128': { '480p': 0.158, '720p': 0.341 },
			'doubao-seedance-2-0-fast-260128': { '480p': 0.158, '720p': 0.341 },
		},
		billsInputVideoSeconds: false,
		source: 'https://docs.aihubmix.com/cn/blogs/untitled-page-1',
	},
};
