// The routing table is shared with the console's route tester, which must route as the sidecar does.
export { RoutingTable, type RoutedHost } from "@skein/shared";
