/**
 * Messages of the compare view (`tritscope.compare`): the host sends both
 * models' views once the webview says it is ready; the webview draws their
 * graphs with the changed nodes marked (webview/graph/diff.ts defines "changed").
 */
import type { ModelView } from './messages';

export type ToCompareView = { type: 'models'; a: ModelView; b: ModelView };

export type FromCompareView = { type: 'ready' };

/** Compare webview state kept with getState/setState. */
export interface CompareViewState {
  selected: string | null;
}
