// Tags: tag groups, manual tags applied by API (listed profiles in the request, or in bulk by segment
// or definition as an operation a job carries out), rule tags defined by a segment condition and
// kept current, and the history of every change.
export { createTag, createTagGroup, deleteTag, deleteTagGroup, getTag, listTagGroups, listTags, updateTag, type TagsDeps } from './tags.js';
export { applyManualTag, profileTagHistory, removeManualTag, tagHistory, tagsOfProfile, type ListedProfiles } from './apply.js';
export { getTagOperation, queueTagOperation, runTagOperation, TAG_OPERATION_JOB, type BulkTagChange, type TagAction } from './bulk.js';
export { refreshRuleTagsFor, refreshRuleTagsFull } from './rules.js';
export { deleteProfileTags, moveProfileTags } from './profile-tags.repo.js';
export { onTagChange, type TagChange, type TagChangeListener } from './changes.js';
