/**
 * Stable diagnostic codes. The catalogue with explanations is docs/validation.md; a code
 * once published never changes meaning.
 */
export const Code = {
  // Input
  yamlSyntax: "SK0001",
  notAnObject: "SK0002",
  missingTypeMeta: "SK0003",
  unknownKind: "SK0004",
  unsupportedVersion: "SK0005",
  emptyFile: "SK0006",
  readFailed: "SK0007",
  duplicateResource: "SK0008",
  // Schema
  invalidValue: "SK1000",
  unknownField: "SK1001",
  wrongType: "SK1002",
  requiredField: "SK1003",
  unknownEnumValue: "SK1004",
  outOfRange: "SK1005",
  invalidDuration: "SK1010",
  invalidHost: "SK1011",
  invalidPort: "SK1012",
  invalidRegex: "SK1013",
  invalidPercentage: "SK1014",
  invalidWeight: "SK1015",
  invalidRetryOn: "SK1016",
  mutuallyExclusive: "SK1017",
  invalidSelector: "SK1018",
  duplicateValue: "SK1019",
  invalidHeader: "SK1020",
  invalidStatus: "SK1021",
  emptyValue: "SK1022",
  invalidName: "SK1023",
  invalidAddress: "SK1024",
  invalidAnnotation: "SK1025",
  // Cross-resource (modelled on Kiali's KIA checks)
  subsetNotFound: "SK2001",
  hostNotFound: "SK2002",
  duplicateSubset: "SK2003",
  duplicateVirtualServiceHost: "SK2004",
  tlsConflictsWithPeerAuthentication: "SK2005",
  principalNotFound: "SK2006",
  gatewayNotFound: "SK2007",
  selectorMatchesNoWorkload: "SK2008",
  subsetLabelsMatchNoWorkload: "SK2009",
  namespaceNotFound: "SK2010",
} as const;

export type CodeName = keyof typeof Code;
export type CodeValue = (typeof Code)[CodeName];
