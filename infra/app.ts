#!/usr/bin/env node
import { buildApp } from './build-app.ts';

// `npx cdk synth|deploy -c stage=dev|prod` (cdk.json runs this file with tsx).
buildApp().app.synth();
