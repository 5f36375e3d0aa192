import { Option } from 'commander';

export const outOption = () =>
  new Option('--out <dir>', 'output folder (lake/, dynamodb.jsonl, reports/, state/)').default('.local');

export const quietOption = () =>
  new Option('-q, --quiet', 'no progress on stderr (errors are still printed)');
