import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CustomerValueStack } from './stack.ts';
import { readStageConfig, type StageConfig } from './stage-config.ts';

export interface CustomerValueApp {
  app: App;
  stack: CustomerValueStack;
  config: StageConfig;
}

/**
 * The app with the stack of the selected stage, checked by cdk-nag (AWS Solutions): synthesis
 * fails on any finding that is not acknowledged next to the construct it is about.
 */
export function buildApp(props: AppProps = {}): CustomerValueApp {
  const app = new App(props);
  const config = readStageConfig(app.node);
  const stack = new CustomerValueStack(app, `CustomerValue-${config.stage}`, {
    config,
    description: `customer-value (${config.stage}): finance exports to profitability, CLV and targets`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
