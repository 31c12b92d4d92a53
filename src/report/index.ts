// Everything that turns ProbeResults into text. Pure functions: strings out, no I/O; the CLI
// decides where they go. Renderers return whole lines ending in "\n"; verdictLine returns one
// line without it.
export { worstStatus, exitCodeFor, statusWord, countStatuses, formatCounts, STATUS_ORDER } from './status.js';
export type { StatusCounts } from './status.js';
export { useColor, palette, stripAnsi } from './color.js';
export type { ColorContext, Palette } from './color.js';
export { verdictLine, verdictDetail, tlsSummary, certificateFacts, problemFindings, CODES_SHOWN_AS_FACTS } from './verdict.js';
export { probeTable } from './table.js';
export type { TableOptions } from './table.js';
export { summaryTable, summaryCounts } from './summary.js';
export { toJson, toNdjsonLine, jsonReplacer } from './json.js';
export { renderTranscript, transcriptFor } from './transcript.js';
export type { TranscriptOptions } from './transcript.js';
export { renderPem } from './pem.js';
export { renderNagios, nagiosSummary, NAGIOS_SERVICE } from './nagios.js';
export type { NagiosOptions } from './nagios.js';
export { renderQuiet } from './quiet.js';
