import { Option } from 'commander';

export const outOption = () =>
  new Option('--out <dir>', 'output folder (lake/, dynamodb.jsonl, reports/, state/)').default('.local');
