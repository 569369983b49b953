import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Providers } from "./providers";
import { Shell } from "@/components/shell";
import "./globals.css";

export const metadata: Metadata = { title: "Skein", description: "Service mesh console" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <Shell>{children}</Shell>
        </Providers>
      </body>
    </html>
  );
}
