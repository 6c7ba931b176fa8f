/**
 * A local AWS endpoint for Secrets Manager and SSM Parameter Store, speaking their JSON 1.1 protocol
 * (`POST /`, `X-Amz-Target`, JSON bodies, errors as HTTP 400 with `__type`), so that the real AWS SDK v3
 * clients can be tested without AWS. It records every call.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

export interface AwsCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

export interface FakeAws {
  readonly url: string;
  readonly calls: AwsCall[];
  readonly secrets: Map<string, string>;
  readonly parameters: Map<string, string>;
  /** secret ids or parameter names that answer AccessDeniedException */
  readonly denied: Set<string>;
  /** `X-Amz-Target`s that answer AccessDeniedException (e.g. to take away BatchGetSecretValue) */
  readonly deniedTargets: Set<string>;
  /** environment variables that point the AWS SDK here */
  env(): Record<string, string>;
  close(): Promise<void>;
}

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const arnOf = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;

export async function startFakeAws(): Promise<FakeAws> {
  const calls: AwsCall[] = [];
  const secrets = new Map<string, string>();
  const parameters = new Map<string, string>();
  const denied = new Set<string>();
  const deniedTargets = new Set<string>();

  const secretValue = (id: string) => {
    const name = [...secrets.keys()].find((n) => n === id || arnOf(n) === id);
    if (name === undefined) return undefined;
    return {
      ARN: arnOf(name),
      Name: name,
      VersionId: "00000000-0000-0000-0000-000000000001",
      SecretString: secrets.get(name),
      VersionStages: ["AWSCURRENT"],
      CreatedDate: 1_700_000_000,
    };
  };
  const parameter = (name: string) => ({
    Name: name,
    Type: "SecureString",
    Value: parameters.get(name),
    Version: 1,
    LastModifiedDate: 1_700_000_000,
    ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
    DataType: "text",
  });
  const accessDenied = (action: string, resource: string) => ({
    __type: "AccessDeniedException",
    message: `User: arn:aws:iam::${ACCOUNT}:user/test is not authorized to perform: ${action} on resource: ${resource}`,
  });

  const handle = (target: string, body: Record<string, unknown>): [number, unknown] => {
    if (deniedTargets.has(target)) return [400, accessDenied(target, "*")];
    switch (target) {
      case "secretsmanager.GetSecretValue": {
        const id = String(body.SecretId);
        if (denied.has(id)) return [400, accessDenied("secretsmanager:GetSecretValue", id)];
        const found = secretValue(id);
        if (!found) {
          return [
            400,
            { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." },
          ];
        }
        return [200, found];
      }
      case "secretsmanager.BatchGetSecretValue": {
        const ids = (body.SecretIdList as string[] | undefined) ?? [];
        if (ids.length > 20) {
          return [400, { __type: "InvalidParameterException", message: "SecretIdList can contain at most 20 items." }];
        }
        const SecretValues: unknown[] = [];
        const Errors: unknown[] = [];
        for (const id of ids) {
          const found = secretValue(id);
          if (denied.has(id))
            Errors.push({
              SecretId: id,
              ErrorCode: "AccessDeniedException",
              Message: accessDenied("secretsmanager:GetSecretValue", id).message,
            });
          else if (found) SecretValues.push(found);
          else {
            Errors.push({
              SecretId: id,
              ErrorCode: "ResourceNotFoundException",
              Message: "Secrets Manager can't find the specified secret.",
            });
          }
        }
        return [200, { SecretValues, Errors }];
      }
      case "AmazonSSM.GetParameter": {
        const name = String(body.Name);
        if (denied.has(name)) return [400, accessDenied("ssm:GetParameter", name)];
        if (!parameters.has(name)) return [400, { __type: "ParameterNotFound", message: "" }];
        return [200, { Parameter: parameter(name) }];
      }
      case "AmazonSSM.GetParametersByPath": {
        const path = String(body.Path).replace(/\/$/, "");
        if (denied.has(path)) return [400, accessDenied("ssm:GetParametersByPath", path)];
        const recursive = body.Recursive === true;
        const names = [...parameters.keys()]
          .filter((n) => n.startsWith(`${path}/`) && (recursive || !n.slice(path.length + 1).includes("/")))
          .filter((n) => !denied.has(n))
          .sort();
        const max = Number(body.MaxResults ?? 10);
        const start = body.NextToken ? Number(body.NextToken) : 0;
        const page = names.slice(start, start + max);
        const next = start + max < names.length ? String(start + max) : undefined;
        return [200, { Parameters: page.map(parameter), ...(next ? { NextToken: next } : {}) }];
      }
      default:
        return [400, { __type: "UnknownOperationException", message: `unknown operation ${target}` }];
    }
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    calls.push({ target, body });
    const [status, payload] = handle(target, body);
    const headers: Record<string, string> = {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": "test",
    };
    if (status !== 200) headers["x-amzn-errortype"] = String((payload as { __type: string }).__type);
    res.writeHead(status, headers);
    res.end(JSON.stringify(payload));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    secrets,
    parameters,
    denied,
    deniedTargets,
    env: () => ({
      AWS_ENDPOINT_URL: url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "AKIDTESTTESTTESTTEST",
      AWS_SECRET_ACCESS_KEY: "test-secret-access-key",
      AWS_EC2_METADATA_DISABLED: "true",
    }),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** One AWS endpoint for a test file: started before its tests, closed after them; the getter returns it. */
export function fakeAwsForFile(): () => FakeAws {
  let aws: FakeAws | undefined;
  beforeAll(async () => {
    aws = await startFakeAws();
  });
  afterAll(async () => {
    await aws?.close();
  });
  return () => {
    if (!aws) throw new Error("the AWS endpoint did not start");
    return aws;
  };
}
