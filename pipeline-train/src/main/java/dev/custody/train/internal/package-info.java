/**
 * Code shared by several stages of training: reading whole files with a size limit and hashing
 * them. Not a stage and not API.
 */
package dev.custody.train.internal;
