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
/** A token price, with the variants Ark publishes. */
export interface TokenPrice {
	perMillion: number;
	/** At 1080p, where it differs. */
	at1080p?: number;
	/** With a reference video (input video tokens are billed too, so an estimate is a floor). */
	withVideoInput?: number;
	/** Without generated audio, where it differs (1.5 pro). */
	silent?: number;
	/** Whether the flex (offline) tier halves it. */
	flexHalf?: boolean;
}

export interface PriceTable {
	/** Per output second, by model and resolution (gateways that bill seconds). */
	perSecond: Record<string, Record<string, number>>;
	/** Per million output tokens, by model (gateways that bill tokens: Ark). */
	perMillionTokens?: Record<string, TokenPrice>;
	/** The currency of the figures; USD unless said. */
	currency?: 'USD' | 'CNY';
	/** USD per output second when a reference video is attached, where the gateway charges more. */
	withReferenceVideoPerSecond?: Record<string, Record<string, number>>;
	/** Whether reference-video input seconds are billed at the same rate as output seconds. */
	billsInputVideoSeconds: boolean;
	source: string;
}

/**
 * Ark bills output tokens (width × height × frames / 1024; see OUTPUT_PIXELS below). Neither
 * official price page (https://docs.byteplus.com/en/docs/ModelArk/1544106,
 * https://www.volcengine.com/docs/82379/1544106) could be read as text here, so these figures are
 * SECONDHAND, checked 2026-11 against:
 * - BytePlus 2.0 / 2.0 fast: a model catalogue citing the official page (7.00 and 5.60 USD per
 *   million tokens, 4.30 and 3.30 with a reference video, 2.0 at 1080p 7.70);
 * - BytePlus 1.5 pro 2.4 (audio) / 1.2 (silent), flex half: docs.dev.xavier.icvr.xyz and
 *   doc-en.302.ai/344157192e0; 1.0 pro 2.5 and 1.0 lite 1.8: docs.dev.xavier.icvr.xyz (302.ai
 *   says 2.2 for 1.0 pro); 1.0 pro fast 1.00: one client's price table;
 * - Volcengine 2.0 46 / 28 CNY, 2.0 fast 37 / 22 CNY: aicost.org (2026-03 announcement) and
 *   crazyrouter.com; 2.0 at 1080p 51 CNY: a reseller's billing code when Volcengine added 1080p
 *   on 2026-04-16 (gitea.airlabs.art/zyc/video-shuoshan, migration 0020). No source for
 *   Volcengine's 1.x prices: those models say "price unknown".
 * The output carries `costFromUsage`, priced from the tokens Ark reports, which is what Ark bills.
 */
const BYTEPLUS_TOKENS: Record<string, TokenPrice> = {
	'dreamina-seedance-2-0-260128': { perMillion: 7, at1080p: 7.7, withVideoInput: 4.3 },
	'dreamina-seedance-2-0-fast-260128': { perMillion: 5.6, withVideoInput: 3.3 },
	'seedance-1-5-pro-251215': { perMillion: 2.4, silent: 1.2, flexHalf: true },
	'seedance-1-0-pro-250528': { perMillion: 2.5, flexHalf: true },
	'seedance-1-0-pro-fast-251015': { perMillion: 1, flexHalf: true },
	'seedance-1-0-lite-t2v-250428': { perMillion: 1.8, flexHalf: true },
	'seedance-1-0-lite-i2v-250428': { perMillion: 1.8, flexHalf: true },
};
const VOLCENGINE_TOKENS: Record<string, TokenPrice> = {
	'doubao-seedance-2-0-260128': { perMillion: 46, at1080p: 51, withVideoInput: 28 },
	'doubao-seedance-2-0-fast-260128': { perMillion: 37, withVideoInput: 22 },
};

export const PRICES: Record<string, PriceTable> = {
	'ark-byteplus': { perSecond: {}, perMillionTokens: BYTEPLUS_TOKENS, currency: 'USD', billsInputVideoSeconds: false, source: 'https://docs.byteplus.com/en/docs/ModelArk/1544106' },
	'ark-volcengine': { perSecond: {}, perMillionTokens: VOLCENGINE_TOKENS, currency: 'CNY', billsInputVideoSeconds: false, source: 'https://www.volcengine.com/docs/82379/1544106' },
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

/**
 * Output width × height per resolution and aspect ratio, for estimating tokens: Ark's create page,
 * table "不同宽高比对应的宽高像素值" (https://www.volcengine.com/docs/82379/1520757), one column for
 * the Seedance 1.0 models and one for 1.5 pro, 2.0 and 2.0 fast. `adaptive` is estimated as 16:9.
 */
export const OUTPUT_PIXELS: Record<'seedance1' | 'seedance2', Record<string, Record<string, [number, number]>>> = {
	seedance1: {
		'480p': { '16:9': [864, 480], '4:3': [736, 544], '1:1': [640, 640], '3:4': [544, 736], '9:16': [480, 864], '21:9': [960, 416] },
		'720p': { '16:9': [1248, 704], '4:3': [1120, 832], '1:1': [960, 960], '3:4': [832, 1120], '9:16': [704, 1248], '21:9': [1504, 640] },
		'1080p': { '16:9': [1920, 1088], '4:3': [1664, 1248], '1:1': [1440, 1440], '3:4': [1248, 1664], '9:16': [1088, 1920], '21:9': [2176, 928] },
	},
	seedance2: {
		'480p': { '16:9': [864, 496], '4:3': [752, 560], '1:1': [640, 640], '3:4': [560, 752], '9:16': [496, 864], '21:9': [992, 432] },
		'720p': { '16:9': [1280, 720], '4:3': [1112, 834], '1:1': [960, 960], '3:4': [834, 1112], '9:16': [720, 1280], '21:9': [1470, 630] },
		'1080p': { '16:9': [1920, 1080], '4:3': [1664, 1248], '1:1': [1440, 1440], '3:4': [1248, 1664], '9:16': [1080, 1920], '21:9': [2206, 946] },
	},
};

/** Frames per second of Seedance output; a d-second video has 24·d + 1 frames (108900 tokens for 5 s at 1280×720). */
export const OUTPUT_FPS = 24;
