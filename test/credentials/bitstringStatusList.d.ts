// The part of @digitalbazaar/vc-bitstring-status-list these tests read lists with (it ships no types).
declare module '@digitalbazaar/vc-bitstring-status-list' {
  export function decodeList(o: { encodedList: string }): Promise<{ getStatus(index: number): boolean; length: number }>;
}
