// Tags (issue 4): tag groups, manual tags applied by API (singly or in bulk by segment), rule tags
// defined by a segment condition and kept current, and the history of every change.
export { createTag, createTagGroup, deleteTag, deleteTagGroup, getTag, listTagGroups, listTags, updateTag, type TagsDeps } from './tags.js';
export { applyManualTag, profileTagHistory, removeManualTag, tagHistory, tagsOfProfile } from './apply.js';
export { refreshRuleTagsFor, refreshRuleTagsFull } from './rules.js';
export { deleteProfileTags, moveProfileTags } from './profile-tags.repo.js';
