const DNS1123_LABEL_ANY_CASE = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

/**
 * Istio's labels.IsDNS1123Label, used for subset names, port names and exportTo
 * namespaces. Unlike Kubernetes' check it accepts upper case, so "V1" is a valid subset name.
 */
export function isIstioDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL_ANY_CASE.test(s);
}
