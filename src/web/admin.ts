import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import express from "express";

export const ADMIN_PATH = "/admin/queues";

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The queue dashboard (bull-board over the BullMQ queues) at /admin/queues, behind
 * TRIAD_ADMIN_TOKEN: as a bearer token (`Authorization: Bearer …`) or as the password of HTTP Basic
 * authentication (any user name), which a browser asks for after the 401's `WWW-Authenticate`.
 * Without the token it is not served at all: the web server answers 404 there.
 */
export function adminHandler(queues: Queue[], token: string): NodeHandler {
  const board = new ExpressAdapter();
  board.setBasePath(ADMIN_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: board });
  const app = express();
  app.disable("x-powered-by");
  app.use(ADMIN_PATH, (req, res, next) => {
    if (authorised(req.headers.authorization, token)) return next();
    res
      .status(401)
      .set("www-authenticate", 'Basic realm="triad admin", charset="UTF-8"')
      .json({ error: "the admin token is missing or wrong (TRIAD_ADMIN_TOKEN)" });
  });
  app.use(ADMIN_PATH, board.getRouter());
  return app;
}

export function authorised(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const [scheme = "", value = ""] = header.split(" ", 2);
  let given = "";
  if (/^bearer$/i.test(scheme)) given = value.trim();
  else if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value.trim(), "base64").toString("utf8");
    given = decoded.slice(decoded.indexOf(":") + 1);
  }
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
